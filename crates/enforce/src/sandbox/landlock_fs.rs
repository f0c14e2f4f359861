//! The Landlock ruleset: read-only system and runtime paths, read-write only
//! where the manifest and the grants say, execute only the programs listed,
//! TCP connect only to the relay (or the manifest's ports without a network
//! namespace), bind only the manifest's listen ports, and (ABI 6) no signals
//! or abstract unix sockets out of the sandbox.

use super::Config;
use landlock::{
    path_beneath_rules, Access, AccessFs, AccessNet, NetPort, Ruleset, RulesetAttr, RulesetCreated,
    RulesetCreatedAttr, Scope, ABI,
};
use std::path::PathBuf;

const ABI_WANTED: ABI = ABI::V10;

pub fn build(cfg: &Config, connect_ports: &[u16]) -> Result<RulesetCreated, String> {
    let abi = ABI_WANTED;
    let err = |e: landlock::RulesetError| format!("landlock: {e}");
    let read = AccessFs::ReadFile | AccessFs::ReadDir;
    let write = (AccessFs::from_all(abi) & !AccessFs::Execute) | read;
    let exec = AccessFs::Execute | AccessFs::ReadFile;
    let mut rs = Ruleset::default()
        .handle_access(AccessFs::from_all(abi))
        .map_err(err)?
        .handle_access(AccessNet::from_all(abi))
        .map_err(err)?;
    if crate::sandbox::detect::landlock_abi().unwrap_or(0) >= 6 {
        rs = rs.scope(Scope::from_all(abi)).map_err(err)?;
    }
    let mut c = rs.create().map_err(err)?;
    c = c
        .add_rules(path_beneath_rules(existing(&cfg.read), read))
        .map_err(err)?;
    c = c
        .add_rules(path_beneath_rules(existing(&cfg.write), write))
        .map_err(err)?;
    c = c
        .add_rules(path_beneath_rules(existing(&cfg.exec), exec))
        .map_err(err)?;
    for &p in connect_ports {
        c = c
            .add_rule(NetPort::new(p, AccessNet::ConnectTcp))
            .map_err(err)?;
    }
    for &p in &cfg.bind_ports {
        c = c
            .add_rule(NetPort::new(p, AccessNet::BindTcp))
            .map_err(err)?;
    }
    Ok(c)
}

fn existing(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths.iter().filter(|p| p.exists()).cloned().collect()
}
