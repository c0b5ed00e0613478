// Every number the findings engine decides with, in one place, each with why it is what it is.
// A finding names the values it compares, so a user can check them on the curves.

/**
 * Epochs validation loss must stay above its lowest before overfitting is called. Two, like the
 * early stopping the overfitting finding proposes: one higher epoch is often noise (the 25-epoch
 * MLP on mnist-10k has single-epoch bumps), two in a row rarely are.
 */
export const OVERFIT_EPOCHS_ABOVE_BEST = 2;

/**
 * How much higher than its lowest the last validation loss must be, relative (0.05: 5 %), for
 * the run to be called overfitting at the end. Below that the curve is flat, not rising.
 */
export const OVERFIT_MIN_RISE = 0.05;

/** The patience the early-stopping quick fix writes, and the one the finding replays. */
export const SUGGESTED_PATIENCE = 2;

/**
 * Accuracy within this many points of chance (10 % for ten classes) after an epoch means the
 * model has learned nothing: sgd at rate 20 sits at 9.9–10.2 %, while the slowest healthy
 * configuration tried (sgd at 0.01) is at 74 % after its first epoch.
 */
export const CHANCE_MARGIN = 0.05;

/**
 * A learning rate this many times the optimizer's usual one is "far too high": the usual rates
 * are where Keras' and the tutorial's defaults are; 10× is where runs start to diverge.
 */
export const FAR_TOO_HIGH_FACTOR = 10;

/** Learning rates that work for each optimizer on MNIST (Keras' defaults; the tutorial uses adam at 0.001). */
export const USUAL_LEARNING_RATE: Readonly<Record<string, number>> = { adam: 0.001, rmsprop: 0.001, sgd: 0.01 };

/** How many of the last epochs "still improving" looks at: fewer is noise, more misses a late rise. */
export const IMPROVING_WINDOW = 2;

/**
 * Validation accuracy gained over those epochs, as a fraction (0.01: one point), above which more
 * epochs would likely help. A converged run moves by a few tenths of a point per epoch either way.
 */
export const IMPROVING_MIN_GAIN = 0.01;

/**
 * Train minus validation accuracy at the last epoch above which the model fits the training set
 * much better than new digits (the 5 points; a dropout MLP ends at about 3).
 */
export const GAP_MIN = 0.05;

/**
 * How far below the overall test accuracy a digit's accuracy must be to be named as weak. Three
 * points: per-digit accuracies of a good MLP spread about ±2.5 points around the mean, so less
 * than that names the weakest of a balanced model.
 */
export const WEAK_CLASS_POINTS = 0.03;

/** How many weak digits a finding names at most, and how many confusions per digit. */
export const WEAK_CLASSES_SHOWN = 2;
export const CONFUSIONS_SHOWN = 2;

/** Dropout rate of the add-dropout quick fix: the tutorial's mlp-dropout preset. */
export const SUGGESTED_DROPOUT = 0.2;
