/** The carrier of SLF4J's MDC: needs {@code org.slf4j:slf4j-api} 2 and a logging backend with an MDC. */
@NullMarked
package org.cancelkit.context.slf4j;

import org.jspecify.annotations.NullMarked;
