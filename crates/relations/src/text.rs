//! Text helpers: the one case and accent folding of the workspace is lede-tokenize's
//! ([`lede_tokenize::fold`]); cue patterns run over the document's word tokens.

pub use lede_tokenize::fold;
