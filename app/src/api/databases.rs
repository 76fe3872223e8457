//! Server functions for databases.

mod get_database;
mod list_databases;

pub use get_database::*;
pub use list_databases::*;
