//! Small macros shared by the lede crates.

/// Implements [`std::fmt::Debug`] for a struct by showing only the listed fields, in order,
/// for types that hold models, tensors or trait objects which have no useful `Debug` form.
///
/// ```
/// struct Model {
///     name: String,
///     layers: usize,
///     #[allow(dead_code)]
///     weights: Vec<f32>,
/// }
/// lede_core::debug_fields!(Model { name, layers });
/// let m = Model { name: "tiny".into(), layers: 2, weights: vec![0.0; 1000] };
/// assert_eq!(format!("{m:?}"), r#"Model { name: "tiny", layers: 2 }"#);
/// ```
#[macro_export]
macro_rules! debug_fields {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl ::std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    $(.field(stringify!($field), &self.$field))*
                    .finish()
            }
        }
    };
}
