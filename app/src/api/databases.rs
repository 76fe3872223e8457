//! Server functions for databases.

mod list_databases;
mod get_database;

pub use list_databases::*;
pub use get_database::*;
