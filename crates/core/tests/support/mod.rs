pub mod engine;
pub mod keyring;
pub mod servers;
