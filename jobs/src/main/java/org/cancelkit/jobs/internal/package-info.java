/**
 * The job runner, the checkpoint codec and the progress meter; not exported.
 */
@NullMarked
package org.cancelkit.jobs.internal;

import org.jspecify.annotations.NullMarked;
