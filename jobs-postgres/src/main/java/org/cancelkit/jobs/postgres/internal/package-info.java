/**
 * The schema and its migrations, the partition checkpoint codec, the claim / commit / release SQL and
 * the per-worker coordinator (lease renewal, LISTEN/NOTIFY); not exported.
 */
@NullMarked
package org.cancelkit.jobs.postgres.internal;

import org.jspecify.annotations.NullMarked;
