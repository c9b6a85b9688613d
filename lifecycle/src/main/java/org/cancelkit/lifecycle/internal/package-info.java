/** The mechanics of a running application: worker threads and the shutdown sequence. Not exported. */
@NullMarked
package org.cancelkit.lifecycle.internal;

import org.jspecify.annotations.NullMarked;
