//! The Redis deduplication store on a real server (`ENS_TEST_REDIS_URL`, default
//! redis://127.0.0.1:6379), under a key prefix unique to this run and deleted afterwards.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use capillary_ens_inbox::RedisDedup;
use capillary_ens_testkit::conformance::{self, Replicas, Timings};

fn server_url() -> String {
    std::env::var("ENS_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

async fn connect(url: &str) -> RedisDedup {
    RedisDedup::connect(url).await.unwrap_or_else(|error| {
        panic!(
            "Redis is required for this test and is not reachable at {url} ({error}); start it \
             or set ENS_TEST_REDIS_URL"
        )
    })
}

/// Deletes every key under `prefix`.
async fn clean(url: &str, prefix: &str) -> usize {
    let client = redis::Client::open(url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut connection)
        .await
        .unwrap();
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL")
            .arg(&keys)
            .query_async(&mut connection)
            .await
            .unwrap();
    }
    keys.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redis_dedup_store_passes_the_conformance_suite() {
    let url = server_url();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let prefix = format!("ens-inbox-test:{}:{nanos}:", std::process::id());
    // Two connections, as two replicas would have.
    let first = connect(&url).await;
    let second = connect(&url).await;
    {
        let prefix = prefix.clone();
        conformance::check_store(move |timings: Timings| {
            let configure = |store: &RedisDedup| {
                store
                    .clone()
                    .prefix(prefix.clone())
                    .processing_timeout(timings.processing_timeout)
                    .ttl(timings.ttl)
            };
            let replicas = Replicas::new(Arc::new(configure(&first)), Arc::new(configure(&second)));
            async move { replicas }
        })
        .await;
    }
    clean(&url, &prefix).await;
    assert_eq!(
        clean(&url, &prefix).await,
        0,
        "nothing is left under the run's prefix"
    );
}
