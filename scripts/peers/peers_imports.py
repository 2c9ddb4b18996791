"""Makes `import torchvision` work next to a CPU-only torch build.

PyPI's torchvision wheel is linked against the CUDA torch build; beside torch's CPU wheel its
compiled operators (nms, roi_align, …) fail to load, and torchvision's `_meta_registrations` then
raises while registering fake kernels for them. pytorch-grad-cam and zennit only need torchvision's
pure-Python parts (transforms, model classes), so the registration of a missing operator is
skipped while torchvision imports. Import this module before any of the peers.
"""
import torch
import torch.library

_register_fake = torch.library.register_fake


def _register_fake_if_defined(op, *args, **kwargs):
    def decorate(function):
        try:
            return _register_fake(op, *args, **kwargs)(function)
        except RuntimeError:  # "operator torchvision::nms does not exist"
            return function
    return decorate


torch.library.register_fake = _register_fake_if_defined
try:
    import torchvision  # noqa: F401
finally:
    torch.library.register_fake = _register_fake
