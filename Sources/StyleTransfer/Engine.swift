import Models
import Optimizers
import TensorCore

/// Placeholder namespace until the engine lands (issue 5).
public enum Engine {}
