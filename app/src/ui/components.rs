//! Small building blocks shared by the pages: badges, panels, charts, stat tiles.

mod action_forms;
mod badges;
mod chart;
mod panels;
mod submit;

pub use action_forms::*;
pub use badges::*;
pub use chart::*;
pub use panels::*;
pub use submit::*;
