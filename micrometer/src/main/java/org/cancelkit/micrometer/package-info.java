/**
 * Micrometer meters for cancelkit. Every meter is named {@code cancelkit.*} and has only
 * low-cardinality tags: names you choose for groups, scopes and bulkheads, and fixed outcome words.
 * The table of meters is in {@link org.cancelkit.micrometer.CancelkitMeters}.
 */
@NullMarked
package org.cancelkit.micrometer;

import org.jspecify.annotations.NullMarked;
