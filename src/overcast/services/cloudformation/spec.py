"""CloudFormation as SERVICES lists it: its API (requests signed for `cloudformation`, served
by the gateway) over the stacks in `<data_dir>/cloudformation.db`, and the engine that runs
their operations through the resource providers every other service registered in the
kernels. It is built last: every provider is registered by then."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.cloudformation.api import CloudFormation, cloudformation_api
    from overcast.services.cloudformation.change_sets import ChangeSetService
    from overcast.services.cloudformation.dynamic_references import DynamicReferences
    from overcast.services.cloudformation.engine import Engine
    from overcast.services.cloudformation.plans import Planner
    from overcast.services.cloudformation.service_roles import ServiceRoles
    from overcast.services.cloudformation.stacks import StackService
    from overcast.services.cloudformation.store import StackStore
    from overcast.services.cloudformation.template_locations import TemplateReader, own_hosts

    settings = kernels.settings
    store = StackStore(settings.data_dir / "cloudformation.db")
    references = DynamicReferences(kernels.parameters)
    engine = Engine(store, kernels.resource_providers, references)
    planner = Planner(kernels.resource_providers)
    templates = TemplateReader(kernels.objects, own_hosts(settings.endpoint))
    roles = ServiceRoles(kernels.identities, kernels.request_auth)
    stacks = StackService(store, engine, planner, settings.account_id, templates, roles, references)
    api = cloudformation_api(CloudFormation(stacks, ChangeSetService(stacks)))
    return BuiltService(api=api, start=engine.start, stop=engine.stop, close=store.close)


SPEC = ServiceSpec("cloudformation", build)
