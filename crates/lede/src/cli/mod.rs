//! The command line's own I/O: reading inputs, writing outputs and reports, and driving a
//! [`lede::AnalyzerPool`] over a stream of inputs. None of this is library API.

pub(crate) mod batch;
pub(crate) mod html;
pub(crate) mod input;
pub(crate) mod output;
pub(crate) mod signals;
