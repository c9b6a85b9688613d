package org.cancelkit.spring;

/** {@link RequestDeadlineContract} on embedded Tomcat 11. */
class TomcatRequestDeadlineTest extends RequestDeadlineContract {
    @Override
    String expectedContainer() {
        return "tomcat";
    }
}
