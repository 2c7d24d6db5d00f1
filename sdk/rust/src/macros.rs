//! The `scenario!` macro and the logging macros.

/// Exports a user type as the scenario: one instance of it is one VU.
///
/// The type must implement [`Default`]: the VU's user is created on its first call and lives
/// until the VU ends, so its fields are the user's state. Hooks and tasks are functions (or
/// closures) taking `&mut User` and returning [`horde_sdk::Result`](crate::Result); tasks are
/// named by the user's methods, each with an optional weight (1 if left out). The fields come
/// in this order; `description`, `setup`, `teardown`, `on_start`, `on_stop`, `wait` and
/// `thresholds` may be left out (`wait` then means no wait).
///
/// `setup` runs once per run before any VU, not as a VU: a function taking nothing and
/// returning a [`horde_sdk::Result`](crate::Result) of anything that converts into bytes (a
/// `String`, a `Vec<u8>`). Every VU reads that value with
/// [`shared::setup_value`](crate::shared::setup_value) or
/// [`shared::setup_text`](crate::shared::setup_text). `teardown` runs once at the end (also
/// after Ctrl-C) and takes the value as `&[u8]`. See `docs/state.md`. `wait` takes any
/// [`ThinkTime`](crate::ThinkTime); `between`, `constant`, `constant_pacing`,
/// `constant_throughput` and `no_wait` need no import there. `thresholds` lists the run's
/// pass/fail criteria in k6's syntax (see `docs/results.md`); `--threshold` on the command
/// line adds more.
///
/// ```no_run
/// use horde_sdk::prelude::*;
///
/// #[derive(Default)]
/// struct Browser {
///     pages: u32,
/// }
///
/// impl Browser {
///     fn home(&mut self) -> Result {
///         http::get("/").send()?;
///         self.pages += 1;
///         Ok(())
///     }
///
///     fn product(&mut self) -> Result {
///         let id = ctx::random_range(1, 100);
///         http::get(format!("/products/{id}")).name("/products/[id]").send()?;
///         Ok(())
///     }
///
///     fn on_stop(&mut self) -> Result {
///         info!("visited {} home pages", self.pages);
///         Ok(())
///     }
/// }
///
/// horde_sdk::scenario! {
///     name: "browser",
///     description: "Opens the home page, and a product page three times as often.",
///     user: Browser,
///     on_stop: Browser::on_stop,
///     wait: between(1, 5),
///     thresholds: ["http_req_duration{name:/products/[id]}: p(95)<300"],
///     tasks: [home, product: 3],
/// }
/// ```
///
/// The exports it provides: `metadata` (name, description, tasks in the order given, think
/// time, thresholds, and the SDK version), `setup` and `teardown` (doing nothing when left out), `on-start`, `run-task` (an index past the last task is an
/// error) and `on-stop`. On the first call it also routes panic messages to the run's log.
#[macro_export]
macro_rules! scenario {
    (
        name: $name:expr,
        $(description: $description:expr,)?
        user: $user:ty,
        $(setup: $setup:expr,)?
        $(teardown: $teardown:expr,)?
        $(on_start: $on_start:expr,)?
        $(on_stop: $on_stop:expr,)?
        $(wait: $wait:expr,)?
        $(thresholds: [$($threshold:expr),* $(,)?],)?
        tasks: [$($task:ident $(: $weight:expr)?),+ $(,)?] $(,)?
    ) => {
        const _: () = {
            type __HordeHook = fn(&mut $user) -> $crate::Result;

            const __HORDE_TASKS: &[(&str, u32, __HordeHook)] =
                &[$((stringify!($task), $crate::__weight!($($weight)?), <$user>::$task)),+];

            // One instance is one VU and wasm32 guests are single-threaded: a thread-local is
            // a plain static there, and sound everywhere else.
            ::std::thread_local! {
                static __HORDE_USER: ::std::cell::RefCell<::std::option::Option<$user>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }

            fn __horde_call(hook: __HordeHook) -> ::std::result::Result<(), ::std::string::String> {
                let result = __HORDE_USER.with(|cell| {
                    let mut slot = cell.borrow_mut();
                    hook(slot.get_or_insert_with(<$user as ::std::default::Default>::default))
                });
                $crate::__private::finish(result)
            }

            struct __HordeScenario;

            impl $crate::__private::Guest for __HordeScenario {
                fn metadata() -> $crate::__private::ScenarioInfo {
                    $crate::__private::init();
                    #[allow(unused_mut)]
                    let mut description = "";
                    $(description = $description;)?
                    #[allow(unused_mut)]
                    let mut think_time = $crate::think::ThinkTime::None;
                    $(think_time = {
                        #[allow(unused_imports)]
                        use $crate::think::*;
                        $wait
                    };)?
                    $crate::__private::ScenarioInfo {
                        name: ::std::string::String::from($name),
                        description: ::std::string::String::from(description),
                        tasks: __HORDE_TASKS
                            .iter()
                            .map(|&(name, weight, _)| $crate::__private::TaskInfo {
                                name: ::std::string::String::from(name),
                                weight,
                            })
                            .collect(),
                        think_time: think_time.into(),
                        sdk: ::std::string::String::from($crate::SDK),
                        thresholds: ::std::vec![$($(::std::string::String::from($threshold)),*)?],
                    }
                }

                #[allow(unreachable_code)]
                fn setup() -> ::std::result::Result<
                    ::std::vec::Vec<u8>,
                    ::std::string::String,
                > {
                    $crate::__private::init();
                    $(return $crate::__private::finish_setup($setup());)?
                    ::std::result::Result::Ok(::std::vec::Vec::new())
                }

                #[allow(unreachable_code, unused_variables)]
                fn teardown(
                    setup_value: ::std::vec::Vec<u8>,
                ) -> ::std::result::Result<(), ::std::string::String> {
                    $crate::__private::init();
                    $(return $crate::__private::finish($teardown(&setup_value));)?
                    ::std::result::Result::Ok(())
                }

                fn on_start() -> ::std::result::Result<(), ::std::string::String> {
                    $crate::__private::init();
                    #[allow(unused_mut)]
                    let mut hook: ::std::option::Option<__HordeHook> = ::std::option::Option::None;
                    $(hook = ::std::option::Option::Some($on_start);)?
                    match hook {
                        ::std::option::Option::Some(hook) => __horde_call(hook),
                        ::std::option::Option::None => ::std::result::Result::Ok(()),
                    }
                }

                fn run_task(index: u32) -> ::std::result::Result<(), ::std::string::String> {
                    $crate::__private::init();
                    match __HORDE_TASKS.get(index as usize) {
                        ::std::option::Option::Some(&(_, _, task)) => __horde_call(task),
                        ::std::option::Option::None => {
                            $crate::__private::unknown_task(index, __HORDE_TASKS.len())
                        }
                    }
                }

                fn on_stop() -> ::std::result::Result<(), ::std::string::String> {
                    $crate::__private::init();
                    #[allow(unused_mut)]
                    let mut hook: ::std::option::Option<__HordeHook> = ::std::option::Option::None;
                    $(hook = ::std::option::Option::Some($on_stop);)?
                    match hook {
                        ::std::option::Option::Some(hook) => __horde_call(hook),
                        ::std::option::Option::None => ::std::result::Result::Ok(()),
                    }
                }
            }

            $crate::__private::__export_scenario!(__HordeScenario with_types_in $crate::wit);
        };
    };
}

/// A task's weight in [`scenario!`]: the one given, or 1.
#[doc(hidden)]
#[macro_export]
macro_rules! __weight {
    () => {
        1
    };
    ($weight:expr) => {
        $weight
    };
}

/// Logs a formatted line at trace level (see [`ctx::log`](crate::ctx::log)).
///
/// ```no_run
/// horde_sdk::trace!("request {} sent", 42);
/// ```
#[macro_export]
macro_rules! trace {
    ($($arg:tt)+) => {
        $crate::ctx::log_fmt($crate::ctx::Level::Trace, ::std::format_args!($($arg)+))
    };
}

/// Logs a formatted line at debug level (see [`ctx::log`](crate::ctx::log)).
///
/// ```no_run
/// horde_sdk::debug!("cart has {} items", 3);
/// ```
#[macro_export]
macro_rules! debug {
    ($($arg:tt)+) => {
        $crate::ctx::log_fmt($crate::ctx::Level::Debug, ::std::format_args!($($arg)+))
    };
}

/// Logs a formatted line at info level (see [`ctx::log`](crate::ctx::log)).
///
/// ```no_run
/// horde_sdk::info!("Login successful, token acquired.");
/// ```
#[macro_export]
macro_rules! info {
    ($($arg:tt)+) => {
        $crate::ctx::log_fmt($crate::ctx::Level::Info, ::std::format_args!($($arg)+))
    };
}

/// Logs a formatted line at warn level (see [`ctx::log`](crate::ctx::log)).
///
/// ```no_run
/// horde_sdk::warn!("Login failed: {} - {}", 401, "bad credentials");
/// ```
#[macro_export]
macro_rules! warn {
    ($($arg:tt)+) => {
        $crate::ctx::log_fmt($crate::ctx::Level::Warn, ::std::format_args!($($arg)+))
    };
}

/// Logs a formatted line at error level (see [`ctx::log`](crate::ctx::log)).
///
/// ```no_run
/// horde_sdk::error!("order {} vanished", 17);
/// ```
#[macro_export]
macro_rules! error {
    ($($arg:tt)+) => {
        $crate::ctx::log_fmt($crate::ctx::Level::Error, ::std::format_args!($($arg)+))
    };
}
