/**
 * The {@code cancelkit} command and its tour.
 */
@NullMarked
package org.cancelkit.cli;

import org.jspecify.annotations.NullMarked;
