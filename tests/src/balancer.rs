//! A load balancer in front of several office processes: each new connection goes to an
//! office chosen at random, so a device's requests (the tests keep no idle connections)
//! land on one office and then another.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::net::{TcpListener, TcpStream};

pub struct Balancer {
    addr: SocketAddr,
    /// Connections sent to each office.
    pub sent: Arc<Vec<AtomicU64>>,
    task: tokio::task::JoinHandle<()>,
}

impl Balancer {
    pub async fn start(offices: Vec<SocketAddr>, seed: u64) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let sent: Arc<Vec<AtomicU64>> =
            Arc::new(offices.iter().map(|_| AtomicU64::new(0)).collect());
        let counts = Arc::clone(&sent);
        let task = tokio::spawn(async move {
            let mut rng = fastrand::Rng::with_seed(seed);
            while let Ok((mut client, _)) = listener.accept().await {
                let chosen = rng.usize(..offices.len());
                counts[chosen].fetch_add(1, Ordering::Relaxed);
                let office = offices[chosen];
                tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(office).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Ok(Self { addr, sent, task })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
