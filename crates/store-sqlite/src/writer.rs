//! Group commit: one thread owns the write connection. Writers queue jobs;
//! the thread takes every job waiting, runs each inside its own savepoint of
//! one transaction, commits once (one fsync for the whole batch) and only then
//! answers each caller. A job that fails is rolled back alone; a failed commit
//! fails every job of the batch. Nothing is acknowledged before it is on disk.

use std::any::Any;

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use reserv_store::StoreError;

use crate::map_err;

type Output = Box<dyn Any + Send>;
type Run = Box<dyn FnOnce(&Connection) -> Result<Output, StoreError> + Send>;

struct Job {
    run: Run,
    reply: oneshot::Sender<Result<Output, StoreError>>,
}

/// The most jobs one transaction takes.
const MAX_BATCH: usize = 512;

#[derive(Clone)]
pub(crate) struct Writer {
    tx: mpsc::UnboundedSender<Job>,
}

impl Writer {
    pub(crate) fn spawn(conn: Connection) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::Builder::new().name("reserv-writer".into()).spawn(move || run(conn, rx))?;
        Ok(Writer { tx })
    }

    /// Runs `f` in the next group commit and returns its result once durable.
    pub(crate) async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let run: Run = Box::new(move |c| f(c).map(|r| Box::new(r) as Output));
        self.tx.send(Job { run, reply }).map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        let out = rx.await.map_err(|_| StoreError::Unavailable("the writer has stopped".into()))??;
        out.downcast::<R>().map(|b| *b).map_err(|_| StoreError::Corrupt("writer returned the wrong type".into()))
    }
}

fn run(conn: Connection, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit_batch(&conn, batch);
    }
}

fn commit_batch(conn: &Connection, batch: Vec<Job>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        let e = map_err(e);
        tracing::error!(error = %e, "cannot begin a write transaction");
        for job in batch {
            let _ = job.reply.send(Err(StoreError::Unavailable(e.to_string())));
        }
        return;
    }
    let mut done = Vec::with_capacity(batch.len());
    for job in batch {
        let result = match conn.execute_batch("SAVEPOINT job") {
            Err(e) => Err(map_err(e)),
            Ok(()) => {
                let r = (job.run)(conn);
                let end = if r.is_ok() { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
                match conn.execute_batch(end) {
                    Ok(()) => r,
                    Err(e) => Err(map_err(e)),
                }
            }
        };
        done.push((job.reply, result));
    }
    match conn.execute_batch("COMMIT") {
        Ok(()) => {
            for (reply, result) in done {
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            let e = map_err(e);
            tracing::error!(error = %e, "group commit failed; nothing of the batch was stored");
            let _ = conn.execute_batch("ROLLBACK");
            for (reply, result) in done {
                let _ = reply.send(result.and(Err(StoreError::Unavailable(e.to_string()))));
            }
        }
    }
}
