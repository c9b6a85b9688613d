@file:JvmName("Kx")

package org.cancelkit.bench

// kotlinx.coroutines as a Kotlin service uses it, behind plain functions that the Java benchmarks and
// programs call: suspend functions need a coroutine to run in, which Java cannot start by itself.

import java.util.concurrent.Callable
import java.util.function.IntSupplier
import kotlinx.coroutines.CompletableJob
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.runInterruptible
import kotlinx.coroutines.withTimeout

/** `n` times `withTimeout(1 s) { body }` in one coroutine on `Dispatchers.Default` (timeouts on its shared delay thread). */
fun withTimeoutOnDefault(n: Int, body: IntSupplier): Long = runBlocking(Dispatchers.Default) { timeouts(n, body) }

/** The same in a plain `runBlocking` (timeouts in the calling thread's own event loop: no other thread). */
fun withTimeoutInRunBlocking(n: Int, body: IntSupplier): Long = runBlocking { timeouts(n, body) }

private suspend fun timeouts(n: Int, body: IntSupplier): Long {
    var sum = 0L
    repeat(n) { sum += withTimeout(1_000L) { body.asInt } }
    return sum
}

/** `Job(parent)`: a new job, a child of `parent` if it is not null. */
fun job(parent: Job?): CompletableJob = Job(parent)

/** `job.cancel()` with no cause. */
fun cancel(job: Job) = job.cancel()

/**
 * The stop table's kotlinx row: `withTimeout(timeoutMs) { runInterruptible(Dispatchers.IO) { work() } }`
 * in `runBlocking`: the documented way to make blocking, interruptible code cancellable.
 */
fun withTimeoutInterruptible(timeoutMs: Long, work: Callable<Int>): Int =
    runBlocking { withTimeout(timeoutMs) { runInterruptible(Dispatchers.IO) { work.call() } } }

/**
 * Precision: `n` coroutines on `Dispatchers.Default`, each in `withTimeout(delayMs) { delay(60 s) }`;
 * returns, per coroutine, the nanoseconds from its deadline (read just before `withTimeout` armed it)
 * to the moment it caught `TimeoutCancellationException`.
 */
fun withTimeoutLateness(n: Int, delayMs: Long): LongArray {
    val late = LongArray(n)
    runBlocking(Dispatchers.Default) {
        repeat(n) { i ->
            launch {
                val due = System.nanoTime() + delayMs * 1_000_000
                try {
                    withTimeout(delayMs) { delay(60_000) }
                    error("withTimeout($delayMs) around delay(60 s) returned normally")
                } catch (e: TimeoutCancellationException) {
                    late[i] = System.nanoTime() - due
                }
            }
        }
    }
    return late
}

/**
 * The group cancelled by its deadline: `withTimeout(timeoutMs) { repeat(n) { launch { delay(60 s) } } }`
 * in `runBlocking(Dispatchers.Default)`; each coroutine writes into `ended` when its body has ended
 * (its `finally`). Returns the deadline as a `System.nanoTime()` reading (taken just before
 * `withTimeout`, plus the timeout).
 */
fun groupDeadline(n: Int, timeoutMs: Long, ended: LongArray): Long {
    var deadline = 0L
    runBlocking(Dispatchers.Default) {
        deadline = System.nanoTime() + timeoutMs * 1_000_000
        try {
            withTimeout(timeoutMs) {
                repeat(n) { i ->
                    launch {
                        try {
                            delay(60_000)
                        } finally {
                            ended[i] = System.nanoTime()
                        }
                    }
                }
            }
            error("withTimeout($timeoutMs) around $n sleeping coroutines returned normally")
        } catch (e: TimeoutCancellationException) {
            // the measured outcome
        }
    }
    return deadline
}
