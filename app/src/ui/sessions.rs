//! The sessions page (admins of every environment).

pub mod sessions_page;
