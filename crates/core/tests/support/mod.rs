pub mod engine;
pub mod servers;
