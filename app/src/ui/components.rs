//! Small building blocks shared by the pages: badges, panels, charts, stat tiles.

mod badges;
mod chart;
mod panels;

pub use badges::*;
pub use chart::*;
pub use panels::*;
