//! SIGINT and SIGTERM: the first stops a run gracefully, the second at once. Results are
//! written either way.

use crate::run::RunControl;

/// Waits for the next SIGINT or SIGTERM; never returns if they cannot be watched.
pub async fn next() {
    let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// Steers `control` by the signals for as long as the process lives.
pub fn steer(control: RunControl) {
    tokio::spawn(async move {
        next().await;
        eprintln!(
            "stopping: finishing requests and writing results (signal again to stop at once)"
        );
        control.stop();
        next().await;
        control.stop_now();
    });
}
