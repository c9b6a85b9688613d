/** The lifecycle module's Flight Recorder events. Not an API: read the events by their names. */
@NullMarked
package org.cancelkit.lifecycle.internal.jfr;

import org.jspecify.annotations.NullMarked;
