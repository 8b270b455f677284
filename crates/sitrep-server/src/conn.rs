//! The accept loop: connections capped, every wait on a client bounded, shutdown bounded.
//!
//! `axum::serve` waits on clients without end: a socket that sends half a request, or never reads
//! its answer, holds a task and a file descriptor for ever, and graceful shutdown waits for it.
//! Here each connection needs a permit (connections beyond the cap wait in the listen backlog),
//! hyper closes a connection that has not sent a whole request head within the header timeout
//! (its timer also runs while a keep-alive connection waits for its next request, so it is the
//! idle timeout too), a write that makes no progress for the send timeout fails, and shutdown
//! waits for requests in flight at most the grace period.

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{watch, Semaphore};

/// How long the server waits on clients, and for how many at once.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Time to send a whole request head; also how long an idle keep-alive connection stays open.
    pub header_timeout: Duration,
    /// Time to send a whole request body (`POST /api/reports`).
    pub body_timeout: Duration,
    /// Time a response write may make no progress (a client that stops reading).
    pub send_timeout: Duration,
    /// After a shutdown signal, time for requests in flight before the server stops anyway.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 256,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            send_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// The body timeout, as the handlers that read a body find it among a request's extensions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyTimeout(pub Duration);

/// Serve `app` on `listener` within `limits` until `shutdown` completes; then stop accepting,
/// let requests in flight finish for at most `limits.shutdown_grace`, and return.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let app = app.layer(axum::Extension(BodyTimeout(limits.body_timeout)));
    let cap = limits
        .max_connections
        .clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
    let slots = Arc::new(Semaphore::new(cap));
    let (stop, stopping) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
        };
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors, a connection reset before it was accepted: none of
                    // it stops the server; a pause keeps a persistent error from spinning.
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let service = TowerToHyperService::new(app.clone());
        let stopping = stopping.clone();
        tokio::spawn(async move {
            connection(stream, service, limits, stopping).await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let all = u32::try_from(cap).expect("capped above");
    if tokio::time::timeout(limits.shutdown_grace, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!(
            "{} connections still open after {:?}: stopping without them",
            cap - slots.available_permits(),
            limits.shutdown_grace
        );
    }
    Ok(())
}

/// Serve one connection until it closes, fails a limit, or shutdown asks it to finish.
async fn connection(
    stream: tokio::net::TcpStream,
    service: TowerToHyperService<Router>,
    limits: Limits,
    mut stopping: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(Stalls::new(stream, limits.send_timeout));
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(io, service);
    tokio::pin!(conn);
    let done = tokio::select! {
        r = conn.as_mut() => Some(r),
        _ = stopping.wait_for(|s| *s) => None,
    };
    let result = match done {
        Some(r) => r,
        None => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        tracing::debug!("connection closed: {e}");
    }
}

/// A stream whose writes fail once they have made no progress for `limit`.
struct Stalls<T> {
    io: T,
    limit: Duration,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<T> Stalls<T> {
    fn new(io: T, limit: Duration) -> Self {
        Stalls {
            io,
            limit,
            stalled: None,
        }
    }

    /// Pass a write's outcome on, failing a pending one that has waited out the limit.
    fn watch<R>(&mut self, cx: &mut Context<'_>, p: Poll<io::Result<R>>) -> Poll<io::Result<R>> {
        if p.is_ready() {
            self.stalled = None;
            return p;
        }
        let limit = self.limit;
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading the response",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Stalls<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Stalls<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let p = Pin::new(&mut self.io).poll_write(cx, buf);
        self.watch(cx, p)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let p = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.watch(cx, p)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let p = Pin::new(&mut self.io).poll_flush(cx);
        self.watch(cx, p)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let p = Pin::new(&mut self.io).poll_shutdown(cx);
        self.watch(cx, p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::time::Instant;

    /// A server of one route on loopback with `limits`; the shutdown trigger and its task.
    async fn start(
        limits: Limits,
    ) -> (
        std::net::SocketAddr,
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<io::Result<()>>,
    ) {
        let app = Router::new().route("/", axum::routing::get(|| async { "ok" }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve_with(listener, app, limits, async {
            let _ = rx.await;
        }));
        (addr, tx, task)
    }

    fn short() -> Limits {
        Limits {
            max_connections: 4,
            header_timeout: Duration::from_millis(500),
            body_timeout: Duration::from_millis(500),
            send_timeout: Duration::from_millis(500),
            shutdown_grace: Duration::from_millis(500),
        }
    }

    /// A blocking GET / on a fresh connection: the status line.
    fn get(addr: std::net::SocketAddr) -> String {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out.lines().next().unwrap_or_default().to_string()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_half_sent_request_is_closed_after_the_header_timeout() {
        let (addr, _stop, _task) = start(short()).await;
        let closed = tokio::task::spawn_blocking(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
            let t = Instant::now();
            let mut buf = Vec::new();
            let _ = s.read_to_end(&mut buf);
            t.elapsed()
        })
        .await
        .unwrap();
        assert!(closed < Duration::from_secs(5), "closed after {closed:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn idle_sockets_beyond_the_cap_do_not_keep_a_request_from_an_answer() {
        let (addr, _stop, _task) = start(short()).await;
        let status = tokio::task::spawn_blocking(move || {
            // Three times the cap: some served and silent, the rest waiting in the backlog.
            let idle: Vec<_> = (0..12)
                .map(|_| std::net::TcpStream::connect(addr).unwrap())
                .collect();
            let t = Instant::now();
            let status = get(addr);
            drop(idle);
            (status, t.elapsed())
        })
        .await
        .unwrap();
        assert!(status.0.contains("200"), "{status:?}");
        assert!(status.1 < Duration::from_secs(8), "{status:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shutdown_ends_within_the_grace_while_a_request_is_half_sent() {
        let limits = Limits {
            header_timeout: Duration::from_secs(60),
            ..short()
        };
        let (addr, stop, task) = start(limits).await;
        let mut held = std::net::TcpStream::connect(addr).unwrap();
        held.write_all(b"GET / HTTP/1.1\r\nHost:").unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let t = Instant::now();
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("the server stopped within the grace period")
            .unwrap()
            .unwrap();
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
        drop(held);
    }

    /// A peer that never reads.
    struct Deaf;

    impl AsyncWrite for Deaf {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            _: &[u8],
        ) -> Poll<io::Result<usize>> {
            Poll::Pending
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn a_write_that_makes_no_progress_fails_after_the_limit() {
        let mut s = Stalls::new(Deaf, Duration::from_millis(200));
        let t = Instant::now();
        let r = std::future::poll_fn(|cx| Pin::new(&mut s).poll_write(cx, b"answer")).await;
        assert_eq!(r.unwrap_err().kind(), io::ErrorKind::TimedOut);
        assert!(t.elapsed() < Duration::from_secs(3));
    }
}
