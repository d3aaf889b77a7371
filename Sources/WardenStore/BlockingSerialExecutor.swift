import Dispatch

/// Runs an actor's jobs on one serial dispatch queue of its own. The drivers' C calls block (disk I/O,
/// network round trips); isolating a connection to an actor on this executor keeps those calls off
/// Swift's cooperative pool while the compiler still proves the connection is used by one thread at a time.
final class BlockingSerialExecutor: SerialExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
