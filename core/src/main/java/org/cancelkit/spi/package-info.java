/**
 * The clock service provider interface: how a clock other than the system clock supplies time, timers
 * and wait notifications to core. Tests use it through the testing kit's {@code VirtualClock}; code that
 * only uses cancelkit never needs this package.
 */
@NullMarked
package org.cancelkit.spi;

import org.jspecify.annotations.NullMarked;
