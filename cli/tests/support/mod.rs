//! What the binary tests share: the built `ens`, a receiver on loopback, a running listener.

#![allow(dead_code)] // each test file uses part of it

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout, Command as StdCommand, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use assert_cmd::Command;
use axum::Router;
use capillary_ens_receiver::{Auth, EnsRouter, ReceiverConfig, Webhook};
use serde_json::Value;

pub(crate) mod postgres;

/// The built binary, with no profile or credentials leaking in from the environment.
pub(crate) fn ens() -> Command {
    let mut command = Command::cargo_bin("ens").expect("the ens binary is built");
    for name in [
        "ENS_PROFILE",
        "ENS_BASIC",
        "ENS_BEARER",
        "ENS_HEADER",
        "ENS_HMAC_SECRET",
        "ENS_WEBHOOK_SECRET",
        "RUST_LOG",
        "NO_COLOR",
    ] {
        command.env_remove(name);
    }
    command.env("ENS_CONFIG", "/nonexistent/ens-config.toml");
    command
}

/// A receiver on a loopback port, in a thread of its own so blocking commands can call it.
pub(crate) struct TestReceiver {
    pub(crate) url: String,
    received: Arc<Mutex<Vec<Value>>>,
    _runtime: tokio::runtime::Runtime,
}

impl TestReceiver {
    pub(crate) fn start(auth: Auth) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&received);
        let ens = EnsRouter::new().fallback(move |webhook: Webhook| {
            let sink = Arc::clone(&sink);
            async move {
                let body: Value = serde_json::from_slice(&webhook.raw).unwrap();
                sink.lock().unwrap().push(body);
            }
        });
        let app: Router = Router::new()
            .nest("/hook", ens.into_router())
            .with_state(ReceiverConfig::new(auth));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await });
        Self {
            url,
            received,
            _runtime: runtime,
        }
    }

    pub(crate) fn received(&self) -> Vec<Value> {
        self.received.lock().unwrap().clone()
    }
}

/// A running `ens listen`: its URL (from the banner on stderr), stdout, and stderr so far.
pub(crate) struct RunningListener {
    pub(crate) child: Child,
    pub(crate) url: String,
    pub(crate) stdout: BufReader<ChildStdout>,
    pub(crate) stderr: Arc<Mutex<String>>,
}

impl RunningListener {
    /// Starts `ens listen --port 0 ARGS…` and waits for its banner.
    pub(crate) fn start(args: &[&str]) -> Self {
        let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("ens"))
            .args(["listen", "--port", "0"])
            .args(args)
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr_pipe = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let (url_sender, url_receiver) = mpsc::channel();
        let collected = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr_pipe);
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                if let Some(url) = line.trim().strip_prefix("listening on ") {
                    let _ = url_sender.send(url.to_owned());
                }
                collected.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let url = url_receiver
            .recv_timeout(Duration::from_secs(60))
            .expect("the listener prints its URL on stderr");
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Self {
            child,
            url,
            stdout,
            stderr,
        }
    }

    /// Waits for the listener to stop and returns everything it printed on stdout.
    pub(crate) fn finish(mut self) -> (bool, String) {
        let success = self.child.wait().unwrap().success();
        let mut printed = String::new();
        self.stdout.read_to_string(&mut printed).unwrap();
        (success, printed)
    }
}
