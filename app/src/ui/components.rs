//! Small building blocks shared by the pages: badges, panels, charts, stat tiles.

mod action_forms;
mod badges;
mod chart;
mod drift_table;
mod panels;
mod submit;
mod work_forms;

pub use action_forms::*;
pub use badges::*;
pub use chart::*;
pub use drift_table::*;
pub use panels::*;
pub use submit::*;
pub use work_forms::*;
