//! The EC2 Auto Scaling group pages.

pub mod asg_page;
pub mod asgs_page;
