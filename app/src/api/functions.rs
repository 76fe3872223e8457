//! Server functions for Lambda functions.

mod get_function;
mod list_functions;

pub use get_function::*;
pub use list_functions::*;
