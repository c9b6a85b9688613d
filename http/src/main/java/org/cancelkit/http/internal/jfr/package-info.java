/** The http module's Flight Recorder events. Not an API: read the events by their names. */
@NullMarked
package org.cancelkit.http.internal.jfr;

import org.jspecify.annotations.NullMarked;
