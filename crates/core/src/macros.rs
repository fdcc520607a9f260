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

/// Writes builder-style methods that each take `self` by value, set one field (or a field of
/// a field) and return `self`: one line per method instead of four.
///
/// Each entry is `<doc comments> <visibility> fn <name>(<arg>: <type>, ...) => <field path> =
/// <value>;`, the value an expression of the arguments.
///
/// ```
/// #[derive(Default)]
/// struct Settings {
///     beams: i64,
/// }
/// #[derive(Default)]
/// struct Builder {
///     name: Option<String>,
///     settings: Settings,
/// }
/// impl Builder {
///     lede_core::setters! {
///         /// The name.
///         pub fn name(name: impl Into<String>) => name = Some(name.into());
///         /// Beam size (at least 1).
///         pub fn beams(n: i64) => settings.beams = n.max(1);
///         /// Both at once.
///         pub fn both(name: &str, n: i64) => settings.beams = n + name.len() as i64;
///     }
/// }
/// let b = Builder::default().name("tiny").beams(0);
/// assert_eq!(b.name.as_deref(), Some("tiny"));
/// assert_eq!(b.settings.beams, 1);
/// assert_eq!(Builder::default().both("ab", 1).settings.beams, 3);
/// ```
#[macro_export]
macro_rules! setters {
    ($(
        $(#[$attr:meta])*
        $vis:vis fn $name:ident($($arg:ident: $ty:ty),+ $(,)?) => $($field:ident).+ = $value:expr;
    )*) => {
        $(
            $(#[$attr])*
            $vis fn $name(mut self, $($arg: $ty),+) -> Self {
                self.$($field).+ = $value;
                self
            }
        )*
    };
}

/// Fails to compile unless every listed type is `Send`: the proof that a model or analyzer
/// can move to a worker thread. With `sync:` first, every type must be `Send + Sync`.
///
/// ```
/// struct Model {
///     weights: Vec<f32>,
/// }
/// lede_core::assert_send!(Model, Vec<Model>);
/// lede_core::assert_send!(sync: Model);
/// ```
///
/// ```compile_fail
/// lede_core::assert_send!(std::rc::Rc<u8>);
/// ```
#[macro_export]
macro_rules! assert_send {
    (sync: $($ty:ty),+ $(,)?) => {
        const _: () = {
            const fn is_send_sync<T: Send + Sync>() {}
            $(is_send_sync::<$ty>();)+
        };
    };
    ($($ty:ty),+ $(,)?) => {
        const _: () = {
            const fn is_send<T: Send>() {}
            $(is_send::<$ty>();)+
        };
    };
}
