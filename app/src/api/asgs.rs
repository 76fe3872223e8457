//! Server functions for EC2 Auto Scaling groups.

mod get_asg;
mod list_asgs;

pub use get_asg::*;
pub use list_asgs::*;
