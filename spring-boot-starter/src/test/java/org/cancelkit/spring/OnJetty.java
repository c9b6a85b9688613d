package org.cancelkit.spring;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.test.context.TestPropertySource;

/**
 * Runs a {@link ServerTestBase} class on embedded Jetty: the test class path has both containers, and
 * the test configuration (application.properties) switches Jetty's auto-configuration off, this
 * switches Tomcat's off instead. Every class so annotated
 * shares one application context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@TestPropertySource(properties = "spring.autoconfigure.exclude="
        + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration")
@interface OnJetty {}
