//! The tests' model lookup (`lede_test_support`, which cannot depend on lede-models) searches
//! the same places as `Locations::from_env`, the lookup the binary uses.

use lede_models::Locations;

#[test]
fn test_support_searches_where_locations_does() {
    let locations = Locations::from_env();
    assert_eq!(
        lede_test_support::minilm_candidates(),
        locations.minilm_candidates()
    );
    assert_eq!(lede_test_support::models_dirs(), locations.models_dirs);
    assert_eq!(
        lede_test_support::project_candidates("lede-ner-minilm"),
        locations.project_candidates("lede-ner-minilm")
    );
    assert_eq!(
        lede_test_support::cache_dir(),
        locations.cache_dir,
        "cache root"
    );
}

#[test]
fn a_crate_built_in_the_checkout_finds_its_models_directory() {
    // Built here, the build script recorded this checkout; `cargo package` builds and a
    // crate from crates.io would have no checkout and find models through LEDE_MODELS_DIR or
    // the cache instead.
    let root = lede_models::built_in_checkout().expect("built inside the lede checkout");
    assert!(root.join("models").join("offline.toml").is_file());
    assert!(Locations::from_env()
        .models_dirs
        .contains(&root.join("models")));
}
