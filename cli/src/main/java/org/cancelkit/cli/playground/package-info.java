/**
 * {@code cancelkit playground}: a local web page that runs the built-in scenarios with the user's
 * parameters and draws, live, what cancelkit's event hook reported.
 */
@NullMarked
package org.cancelkit.cli.playground;

import org.jspecify.annotations.NullMarked;
