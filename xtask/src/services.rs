//! PostgreSQL and Redis on loopback, for the durable-store tests.

use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::shell;

/// A server the tests connect to, and how to start it on a Debian machine.
pub(crate) struct Service {
    name: &'static str,
    address: &'static str,
    /// The connection URL the tests get.
    pub(crate) url: &'static str,
    start: fn() -> Command,
}

/// PostgreSQL: trust authentication for user `postgres`, database `test`.
pub(crate) const POSTGRES: Service = Service {
    name: "PostgreSQL",
    address: "127.0.0.1:5432",
    url: "postgres://postgres@127.0.0.1:5432/test",
    start: || {
        let mut command = Command::new("sh");
        command.args([
            "-c",
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
        ]);
        command
    },
};

/// Redis, without persistence.
pub(crate) const REDIS: Service = Service {
    name: "Redis",
    address: "127.0.0.1:6379",
    url: "redis://127.0.0.1:6379",
    start: || {
        let mut command = Command::new("redis-server");
        command.args([
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "-::1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            "/var/lib/redis",
            "--logfile",
            "/var/log/redis/ci.log",
        ]);
        command
    },
};

const STARTUP_WAIT: Duration = Duration::from_secs(20);

/// Checks that the service accepts TCP connections, starting it once when it does not.
pub(crate) fn ensure(service: &Service) -> Result<(), String> {
    let Service { name, address, .. } = *service;
    let address: SocketAddr = address
        .parse()
        .map_err(|error| format!("bad address {address}: {error}"))?;
    if accepts(address) {
        eprintln!("xtask: {name} accepts connections on {address}");
        return Ok(());
    }
    eprintln!("xtask: {name} does not accept connections on {address}; starting it");
    let started = shell::run(&mut (service.start)());
    let deadline = Instant::now() + STARTUP_WAIT;
    while Instant::now() < deadline {
        if accepts(address) {
            eprintln!("xtask: {name} accepts connections on {address}");
            return Ok(());
        }
        sleep(Duration::from_millis(250));
    }
    let reason = match started {
        Ok(()) => format!("it was started but still refuses connections after {STARTUP_WAIT:?}"),
        Err(error) => error,
    };
    Err(format!(
        "{name} must accept TCP connections on {address} for the tests, and it does not: {reason}. \
         Install and start {name} on {address}, then run `cargo xtask test` again"
    ))
}

fn accepts(address: SocketAddr) -> bool {
    TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok()
}
