//! Integration tests: the real server on port 0 with a fresh SQLite database, against a real moto
//! server (fake AWS). Each test seeds its own AWS accounts, so tests share one moto safely.

mod auth;
mod cli;
mod helpers;
mod inventory;
mod ops;
mod pages;
