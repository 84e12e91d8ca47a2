"""Adam, for the numpy CNN."""

import numpy as np

__all__ = ["Adam"]


class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction.

    Parameters
    ----------
    parameters : iterable of (owner, name)
        ``getattr(owner, name)`` is a parameter array, updated in place;
        ``getattr(owner, "grad_" + name)`` its gradient.
    learning_rate, beta1, beta2, eps : float

    Examples
    --------
    >>> import numpy as np
    >>> class Quadratic:  # minimise sum(w**2)
    ...     w = np.array([3.0, -2.0], np.float32)
    >>> q = Quadratic()
    >>> adam = Adam([(q, "w")], learning_rate=0.1)
    >>> for _ in range(200):
    ...     q.grad_w = 2 * q.w
    ...     adam.step()
    >>> bool(np.abs(q.w).max() < 0.05)
    True
    """

    def __init__(self, parameters, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.parameters = list(parameters)
        self.learning_rate = learning_rate
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.n_steps = 0
        self._first = [np.zeros_like(getattr(o, n), dtype=np.float64) for o, n in self.parameters]
        self._second = [np.zeros_like(m) for m in self._first]

    def step(self):
        self.n_steps += 1
        correction1 = 1.0 - self.beta1 ** self.n_steps
        correction2 = 1.0 - self.beta2 ** self.n_steps
        for (owner, name), first, second in zip(self.parameters, self._first, self._second):
            grad = getattr(owner, "grad_" + name)
            first *= self.beta1
            first += (1.0 - self.beta1) * grad
            second *= self.beta2
            second += (1.0 - self.beta2) * np.square(grad, dtype=np.float64)
            update = self.learning_rate * (first / correction1) / (
                np.sqrt(second / correction2) + self.eps)
            parameter = getattr(owner, name)
            parameter -= update.astype(parameter.dtype)
