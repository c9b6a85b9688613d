/**
 * The machinery behind {@code org.cancelkit.io}: the one interface every file-system call goes
 * through ({@link org.cancelkit.io.internal.FileOps}), the replace and transaction protocols, the
 * directory lock and recovery. Not exported: nothing here is API.
 */
@NullMarked
package org.cancelkit.io.internal;

import org.jspecify.annotations.NullMarked;
