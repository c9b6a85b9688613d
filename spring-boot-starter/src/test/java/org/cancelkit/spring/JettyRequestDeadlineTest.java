package org.cancelkit.spring;

/** {@link RequestDeadlineContract} on embedded Jetty 12.1 (Jakarta EE 11 servlets). */
@OnJetty
class JettyRequestDeadlineTest extends RequestDeadlineContract {
    @Override
    String expectedContainer() {
        return "jetty";
    }
}
