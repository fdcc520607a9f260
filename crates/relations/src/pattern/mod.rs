//! Cue patterns: a small pattern language over the words of one sentence, with `{head}` and
//! `{tail}` slots that bind entity mentions (or values), compiled from the schema's text.
//!
//! The syntax is documented in the header of the schema file (`schema/news.toml` in this
//! crate, [`crate::NEWS_SCHEMA_TOML`]).
//!
//! [`parse`] compiles pattern text into a [`Pattern`]; [`matcher`] finds its matches in a
//! [`SentenceView`] for a label ([`Arguments`]); [`value`] recognises value tails (ages, terms).
//! Nothing here depends on the schema: the schema holds compiled patterns and implements
//! [`Arguments`] for its labels.

mod matcher;
mod parse;
#[cfg(test)]
mod tests;
mod value;

pub use matcher::types_accept;
pub(crate) use matcher::{Arguments, Bound, Matcher, RawMatch, SentenceView, ViewMention, ViewTok};
pub(crate) use parse::{Pattern, Slot};
pub use value::{value_key, ValueKind};
