package org.cancelkit.spring.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A Spring MVC application for the starter's tests: the controllers in this package. */
@SpringBootApplication
public class TestApp {}
