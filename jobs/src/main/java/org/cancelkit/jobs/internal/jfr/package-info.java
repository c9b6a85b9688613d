/** The jobs module's Flight Recorder events. Not an API: read the events by their names. */
@NullMarked
package org.cancelkit.jobs.internal.jfr;

import org.jspecify.annotations.NullMarked;
