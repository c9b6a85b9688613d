/**
 * Internals of cancelkit jdbc; not exported.
 */
@NullMarked
package org.cancelkit.jdbc.internal;

import org.jspecify.annotations.NullMarked;
