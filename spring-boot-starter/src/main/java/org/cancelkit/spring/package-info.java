/**
 * cancelkit for Spring Boot 4: every Spring MVC request bound to a cancellation token with the
 * caller's deadline, Spring's graceful shutdown driving the requests' cancellation, deadline
 * propagation through {@code RestClient}, context and cancellation carried into {@code @Async}
 * work, Micrometer meters and an Actuator endpoint. Everything is switched on by
 * {@link org.cancelkit.spring.CancelkitAutoConfiguration} and configured with
 * {@link org.cancelkit.spring.CancelkitProperties} ({@code cancelkit.*}).
 */
@NullMarked
package org.cancelkit.spring;

import org.jspecify.annotations.NullMarked;
