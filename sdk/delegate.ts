import type * as pulumi from "@pulumi/pulumi";

/**
 * The provider object handed to the engine: each method forwards to the real
 * provider, reached through its module at call time. When this package is
 * installed under node_modules, the closure serializer stores that module as a
 * `require(...)` reference instead of copying the provider's code into every
 * resource's state (a few hundred bytes instead of tens of kilobytes).
 */
export function delegatingProvider(real: () => pulumi.dynamic.ResourceProvider): pulumi.dynamic.ResourceProvider {
  return {
    configure: (request) => real().configure!(request),
    check: (olds, news) => real().check!(olds, news),
    diff: (id, olds, news) => real().diff!(id, olds, news),
    create: (inputs) => real().create(inputs),
    read: (id, props) => real().read!(id, props),
    update: (id, olds, news) => real().update!(id, olds, news),
    delete: (id, props) => real().delete!(id, props),
  };
}
