package org.cancelkit.spring;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.cancelkit.Bulkhead;
import org.cancelkit.ForkContext;
import org.cancelkit.context.otel.OtelContextCarrier;
import org.cancelkit.context.slf4j.MdcCarrier;
import org.cancelkit.micrometer.CancelkitMeters;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * cancelkit's Spring Boot auto-configuration. Each part switches on only when what it needs is
 * present:
 * <ul>
 *   <li>always: {@link RequestTokens} (the server's root token) and the two shutdown phases that
 *       Spring's graceful shutdown drives, and a {@link CancelkitTaskDecorator} for Spring's task
 *       executors;</li>
 *   <li>a servlet web application: {@link CancelkitRequestFilter} on every request
 *       ({@code cancelkit.web.enabled}); on Jetty (its EE 11 servlet classes present) also Jetty's
 *       request failures, so that a client's HTTP/2 reset reaches blocking requests;</li>
 *   <li>{@code spring-boot-restclient}: {@link DeadlineInterceptor} on every {@code RestClient} built
 *       from Spring's builder ({@code cancelkit.client.propagate-deadline});</li>
 *   <li>SLF4J, OpenTelemetry: their context carriers installed ({@code cancelkit.context.*});</li>
 *   <li>Micrometer and {@code cancelkit-micrometer}: the meters, and every {@link Bulkhead} bean's;</li>
 *   <li>Actuator: the {@code cancelkit} endpoint.</li>
 * </ul>
 */
@AutoConfiguration
@EnableConfigurationProperties(CancelkitProperties.class)
public final class CancelkitAutoConfiguration {
    /** Created by Spring. */
    public CancelkitAutoConfiguration() {}

    /**
     * The server's request tokens.
     *
     * @return the root and the requests in flight
     */
    @Bean
    @ConditionalOnMissingBean
    public RequestTokens cancelkitRequestTokens() {
        return new RequestTokens();
    }

    @Bean
    RequestShutdown cancelkitSoftShutdown(RequestTokens tokens, CancelkitProperties properties) {
        return RequestShutdown.soft(tokens, properties.getShutdown().getGrace());
    }

    @Bean
    RequestShutdown cancelkitHardShutdown(RequestTokens tokens, CancelkitProperties properties) {
        return RequestShutdown.hard(tokens, properties.getShutdown().getHardWait());
    }

    /**
     * Runs tasks of Spring's task executors with the submitter's context and token.
     *
     * @param properties the configuration
     * @return the decorator
     */
    @Bean
    @ConditionalOnMissingBean(CancelkitTaskDecorator.class)
    public CancelkitTaskDecorator cancelkitTaskDecorator(CancelkitProperties properties) {
        return new CancelkitTaskDecorator(properties.getAsync().isBindToCaller());
    }

    /** A context carrier installed while the application runs. */
    static final class Installed implements AutoCloseable {
        private final ForkContext.Installation installation;

        Installed(ForkContext.Installation installation) {
            this.installation = installation;
        }

        @Override
        public void close() {
            installation.close();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.slf4j.MDC")
    @ConditionalOnBooleanProperty(name = "cancelkit.context.mdc", matchIfMissing = true)
    static class Mdc {
        @Bean(destroyMethod = "close")
        Installed cancelkitMdcCarrier() {
            return new Installed(ForkContext.install(MdcCarrier.all()));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.opentelemetry.context.Context")
    @ConditionalOnBooleanProperty(name = "cancelkit.context.opentelemetry", matchIfMissing = true)
    static class Otel {
        @Bean(destroyMethod = "close")
        Installed cancelkitOtelCarrier() {
            return new Installed(ForkContext.install(OtelContextCarrier.create()));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(OncePerRequestFilter.class)
    @ConditionalOnBooleanProperty(name = "cancelkit.web.enabled", matchIfMissing = true)
    static class Web {
        @Bean
        FilterRegistrationBean<CancelkitRequestFilter> cancelkitRequestFilter(RequestTokens tokens,
                                                                             CancelkitProperties properties,
                                                                             ObjectProvider<RequestFailures> failures) {
            CancelkitRequestFilter filter = new CancelkitRequestFilter(tokens, properties.getWeb().getMaxDeadline(),
                    properties.getWeb().getHeader(), properties.getWeb().getWriteBudget(),
                    failures.getIfAvailable(() -> RequestFailures.NONE));
            FilterRegistrationBean<CancelkitRequestFilter> registration = new FilterRegistrationBean<>(filter);
            registration.setName("cancelkitRequestFilter");
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 50);
            registration.setAsyncSupported(true);
            return registration;
        }
    }

    /** On Jetty: a client's HTTP/2 reset reaches blocking requests too ({@link JettyRequestFailures}). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = "org.eclipse.jetty.ee11.servlet.ServletContextRequest")
    @ConditionalOnBooleanProperty(name = "cancelkit.web.enabled", matchIfMissing = true)
    static class Jetty {
        @Bean
        @ConditionalOnMissingBean(RequestFailures.class)
        RequestFailures cancelkitJettyRequestFailures() {
            return new JettyRequestFailures();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(RestClientCustomizer.class)
    @ConditionalOnBooleanProperty(name = "cancelkit.client.propagate-deadline", matchIfMissing = true)
    static class Client {
        @Bean
        RestClientCustomizer cancelkitRestClientCustomizer(CancelkitProperties properties) {
            DeadlineInterceptor interceptor = new DeadlineInterceptor(properties.getWeb().getHeader());
            return builder -> builder.requestInterceptor(interceptor);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MeterRegistry.class, CancelkitMeters.class})
    static class Metrics {
        @Bean
        MicrometerRequestListener cancelkitMeterBinder(RequestTokens tokens, ObjectProvider<Bulkhead> bulkheads) {
            return new MicrometerRequestListener(tokens, bulkheads.orderedStream().toList());
        }

        @Bean
        EndpointMeters cancelkitEndpointMeters(ObjectProvider<MeterRegistry> registry) {
            return new EndpointMeters(registry);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Endpoint.class)
    static class Actuator {
        @Bean
        @ConditionalOnAvailableEndpoint
        CancelkitEndpoint cancelkitEndpoint(RequestTokens tokens, CancelkitProperties properties,
                                            ObjectProvider<EndpointMeters> meters) {
            EndpointMeters m = meters.getIfAvailable();
            Supplier<List<Map<String, Object>>> read = m != null ? m : List::of;
            return new CancelkitEndpoint(tokens, properties.getEndpoint().getSampleSize(), read);
        }
    }
}
