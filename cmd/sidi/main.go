// Command sidi runs Sidi (四地), the platform for Qinghai's work plan on
// standards, brands, business environment and quality. This file holds the
// command table; each command's flags and wiring live beside it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"sidi/internal/apperr"
	"sidi/internal/cli"
	"sidi/internal/services"
	"sidi/internal/store"
)

// Command and Env are the cli package's (a register's own commands are
// written with it in its package and come through its module).
type (
	Command = cli.Command
	Env     = cli.Env
)

func commands() []*Command {
	cs := []*Command{
		cmdServe(), cmdDemo(), cmdMigrate(),
		cmdPlanParse(), cmdPlanImport(), cmdPlanList(), cmdPlanApprove(),
		cmdAuditVerify(), cmdVersion(),
	}
	cs = append(cs, auditCommands()...)
	cs = append(cs, userCommands()...)
	cs = append(cs, cmdStandardsBench())
	cs = append(cs, progressCommands()...)
	cs = append(cs, backupCommands()...)
	cs = append(cs, importCommands()...)
	cs = append(cs, boilerCommands()...)
	cs = append(cs, telemetryCommands()...)
	cs = append(cs, cmdDrawBench())
	// The registers' own commands, through their modules.
	cs = append(cs, services.Commands(openSet)...)
	return cs
}

func main() {
	ctx, stop := stopOnSignal(os.Stderr)
	defer stop()
	e := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(run(ctx, e, os.Args[1:]))
}

// stopOnSignal returns a context that ends at the first SIGINT or SIGTERM
// (a server then shuts down gracefully); a second signal exits at once.
func stopOnSignal(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sigs:
		case <-ctx.Done():
			return
		}
		cancel()
		fmt.Fprintln(stderr, "收到停止信号，正在停止；再发一次立即退出 stopping; a second signal exits at once")
		<-sigs
		fmt.Fprintln(stderr, "再次收到停止信号，立即退出 second signal: exiting now")
		os.Exit(1)
	}()
	return ctx, func() { signal.Stop(sigs); cancel() }
}

// run dispatches args to a command and returns the exit code.
func run(ctx context.Context, e *Env, args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		help(e.Stdout, cmds, args)
		return 0
	}
	// Longest name first, so "plan import" wins over a "plan" command.
	sort.Slice(cmds, func(i, j int) bool { return len(strings.Fields(cmds[i].Name)) > len(strings.Fields(cmds[j].Name)) })
	for _, c := range cmds {
		words := strings.Fields(c.Name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.Name {
			if c.Alias != "" {
				return run(ctx, e, append(strings.Fields(c.Alias), args[len(words):]...))
			}
			err := c.Run(ctx, e, args[len(words):])
			if err == nil {
				return 0
			}
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			var ue usageError
			if errors.As(err, &ue) {
				fmt.Fprintf(e.Stderr, "sidi %s: %v\n用法 usage: sidi %s %s\n", c.Name, err, c.Name, c.Usage)
				return 2
			}
			fmt.Fprintf(e.Stderr, "sidi %s: %s\n", c.Name, describe(err))
			return 1
		}
	}
	fmt.Fprintf(e.Stderr, "sidi: 未知命令 unknown command %q；运行 sidi help 查看全部命令\n", strings.Join(args, " "))
	return 2
}

// describe gives the user-facing message of err with the technical cause.
func describe(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		if ae.Err != nil {
			return ae.Msg + "\n  (" + ae.Err.Error() + ")"
		}
		return ae.Msg
	}
	return err.Error()
}

// usageError is a command line that cannot be honoured (exit code 2).
type usageError = cli.UsageError

func help(w io.Writer, cmds []*Command, args []string) {
	if len(args) > 1 {
		want := strings.Join(args[1:], " ")
		for _, c := range cmds {
			if c.Name == want {
				fmt.Fprintf(w, "用法 usage: sidi %s %s\n\n%s\n", c.Name, c.Usage, c.Short)
				if c.Long != "" {
					fmt.Fprintf(w, "\n%s\n", c.Long)
				}
				return
			}
		}
	}
	fmt.Fprintln(w, "Sidi（四地）——严标准育品牌优环境提质量服务“四地”建设工作平台")
	fmt.Fprintln(w, "\n用法 usage: sidi <command> [flags]\n\n命令 commands:")
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-16s %s\n", c.Name, c.Short)
	}
	fmt.Fprintln(w, "\n数据位置 storage: --data DIR（内置 SQLite，默认 ./sidi-data）或 --db postgres://…（亦可设 SIDI_DB）")
	fmt.Fprintln(w, "sidi help <command> 查看某个命令的说明")
}

// openSet opens the storage cfg names for a register's command: the
// services, closed (with the chain heads checkpointed) by the function it
// returns.
func openSet(ctx context.Context, cfg store.Config) (*services.Set, func() error, error) {
	a, err := openApp(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return a.Set, a.Close, nil
}
