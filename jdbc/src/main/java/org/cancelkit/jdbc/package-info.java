/**
 * Database transactions that roll back when their caller gives up, statements cancelled on the
 * server instead of abandoned, and the current deadline as the statement timeout.
 *
 * <h2>The promises (DESIGN.md, "Database")</h2>
 * <ul>
 *   <li>D1: only an explicit {@link org.cancelkit.jdbc.SqlTransaction#commit()} persists; every other
 *       exit rolls back, and the connection returns to its pool with no open transaction.</li>
 *   <li>D2: on cancellation the running statement is cancelled on the server
 *       ({@link java.sql.Statement#cancel()}), which stops it and releases its locks; it is never
 *       interrupted.</li>
 *   <li>D3: a commit is not interrupted halfway; an outcome that cannot be known is
 *       {@link org.cancelkit.jdbc.CommitOutcomeUnknownException}, never "rolled back"; a transaction the
 *       server has already aborted is refused before COMMIT is sent
 *       ({@link org.cancelkit.jdbc.TransactionAbortedException}), never reported committed.</li>
 *   <li>D4: the current deadline becomes the statement's query timeout; a statement whose deadline
 *       has passed is not sent.</li>
 * </ul>
 *
 * <h2>Where to start</h2>
 * {@link org.cancelkit.jdbc.SqlTransaction#call(javax.sql.DataSource, org.cancelkit.jdbc.TransactionBody)}
 * for a transaction; {@link org.cancelkit.jdbc.Statements#call} for one statement of your own.
 */
@NullMarked
package org.cancelkit.jdbc;

import org.jspecify.annotations.NullMarked;
